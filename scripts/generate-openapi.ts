// `npm run openapi`: regenerates the checked-in OpenAPI documents from the code, and the typed
// client's types from the gateway's document.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewayOpenApiDocument } from '../gateway/openapi-build.ts';
import {
  gatewayApiTypesFile,
  generateGatewayApiTypes,
} from '../partner-kit/client/generator/generate-types.ts';
import { buildPartnerOpenApiDocument } from '../reference-partner/openapi-build.ts';
import { projectDir } from '../runtime/project-dir.ts';

const gatewayDocument = await buildGatewayOpenApiDocument();
const files = [
  { file: 'openapi/gateway.json', text: async () => gatewayDocument },
  { file: 'openapi/partner.json', text: async () => buildPartnerOpenApiDocument() },
  { file: gatewayApiTypesFile, text: () => generateGatewayApiTypes(gatewayDocument) },
];

for (const generated of files) {
  writeFileSync(path.join(projectDir, generated.file), await generated.text());
  process.stdout.write(`wrote ${generated.file}\n`);
}
