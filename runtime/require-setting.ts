// For entries that run as one service of a larger topology: some settings have no local default.
import { type Config, ConfigError } from './config.ts';

export function requireSetting<K extends keyof Config>(config: Config, name: K): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined || value === null) {
    throw new ConfigError([
      `${String(name)}: required when running this service on its own (npm start sets it for you)`,
    ]);
  }
  return value as NonNullable<Config[K]>;
}
