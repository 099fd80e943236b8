/**
 * Azure Functions entry (package.json `main`): registers every function definition with the host.
 * Outside the host `app.*` registers nothing, which is why the local stack serves the same list itself.
 */
import { app } from './functions/azure-runtime.js';
import { createFunctionDefinitions, lazyServices, registrationOptions } from './functions/index.js';

// the live log answers with a stream of Server-Sent Events, which the host delivers only in stream mode
app.setup({ enableHttpStream: true });

for (const definition of createFunctionDefinitions(lazyServices(process.env), registrationOptions(process.env))) {
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
