// The typed gateway client for partners' integrations: see partner-kit/README.md.
export {
  createGatewayClient,
  defaultGatewayAudience,
  type GatewayClient,
  type GatewayClientOptions,
  type Schemas,
  type SignerInput,
} from './gateway-client.ts';
export { dataOrThrow, GatewayProblemError, isProblem, type Problem, type ProblemCode } from './problems.ts';
export type { RetryLimits } from './signing-middleware.ts';
