/** Writes <data_dir>/clouds.yaml with the admin cloud `nubo`, readable by the owner only. */
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface CloudsYamlInput {
  dataDir: string;
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  region: string;
}

export function writeCloudsYaml(input: CloudsYamlInput): string {
  const path = join(input.dataDir, 'clouds.yaml');
  const doc = {
    clouds: {
      nubo: {
        auth: {
          auth_url: input.authUrl,
          username: input.username,
          password: input.password,
          project_name: input.projectName,
          user_domain_name: 'Default',
          project_domain_name: 'Default',
        },
        region_name: input.region,
        interface: 'public',
        identity_api_version: 3,
      },
    },
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
