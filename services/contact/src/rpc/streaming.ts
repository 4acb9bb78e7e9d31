// Client- and server-streaming methods are registered through the kit (grpc/mixed-service).
export {
  addMixedService,
  clientStream,
  serverStream,
  unary,
  type MixedHandler,
  type StreamingDeps,
} from '@crm/service-kit';
