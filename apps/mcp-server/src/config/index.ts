export { envSchema, AUTH_PROVIDERS, SECRET_VARIABLES, type AuthProvider, type Env } from './env-schema.js';
export {
  loadConfig,
  type AppConfig,
  type ConfigProblem,
  type ConfigResult,
  type DatabaseConfig,
  type EmbeddingsConfig,
} from './load-config.js';
export { configReport, problemsReport, maskUrlCredentials, displayValue } from './config-report.js';
