/**
 * Azure Functions entry (package.json `main`): registers every function definition with the host.
 * Outside the host `app.*` registers nothing, which is why the local stack serves the same list itself.
 */
import { app, createFunctionDefinitions, lazyServices, registrationOptions } from './functions/index.js';

// the live log answers with a stream of Server-Sent Events, which the host delivers only in stream mode
app.setup({ enableHttpStream: true });

const services = lazyServices(process.env);

// The deployment's schemas (CLOUDO_SCHEMAS_JSON) go into the registry as soon as the app starts; not awaited,
// so that storage roles still propagating after a deployment delay nothing. Housekeeping retries.
app.hook.appStart(() => {
  Promise.resolve()
    .then(() => services().deployedSchemas.sync((level, message) => console[level](message)))
    .catch((err: unknown) => console.warn(`CLOUDO_SCHEMAS_JSON not imported at start, Housekeeping retries: ${err}`));
});

for (const definition of createFunctionDefinitions(services, registrationOptions(process.env))) {
  if (definition.kind === 'http') {
    app.http(definition.name, definition.options);
  } else if (definition.kind === 'timer') {
    app.timer(definition.name, {
      schedule: definition.schedule,
      handler: (_timer, context) => definition.handler(context),
    });
  } else {
    app.storageQueue(definition.name, {
      queueName: definition.queueName,
      connection: 'AzureWebJobsStorage',
      handler: (message, context) => definition.handler(message, context),
    });
  }
}
