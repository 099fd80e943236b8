/**
 * Adapter to the `@azure/functions` CommonJS bundle: under native ESM its classes are reachable only
 * through the default export. Everything else imports the runtime values from here.
 */
import azureFunctions from '@azure/functions';

export const { app, HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
