/** Nubo's configuration: oslo-style INI files, typed option groups, env and CLI overrides. */
export { Config, envVarName, type ConfigEntry, type LoadOptions } from './config.js';
export { ConfigError, IniParseError, OptValueError } from './errors.js';
export { parseIni, readIniFile, type IniDocument, type IniEntry, type IniSection } from './iniparser.js';
export {
  defineGroup,
  opt,
  parseHostPort,
  type GroupDef,
  type HostPort,
  type NumericExtra,
  type OptDef,
  type OptExtra,
  type OptKind,
  type OptMap,
  type UrlExtra,
  type Values,
} from './options.js';
export { describeSource, type ValueSource } from './source.js';
export { maskUrlPasswords } from './show.js';
export { renderSample } from './sample.js';
export {
  coreGroups,
  databaseGroup,
  defaultGroup,
  httpGroup,
  publicBaseUrl,
  serviceConnection,
} from './core-options.js';
