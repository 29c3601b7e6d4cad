// `npm run openapi`: regenerates the checked-in OpenAPI documents from the code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewayOpenApiDocument } from '../gateway/openapi-build.ts';
import { buildPartnerOpenApiDocument } from '../reference-partner/openapi-build.ts';
import { projectDir } from '../runtime/project-dir.ts';

const documents = [
  { file: 'openapi/gateway.json', build: buildGatewayOpenApiDocument },
  { file: 'openapi/partner.json', build: async () => buildPartnerOpenApiDocument() },
];

for (const document of documents) {
  writeFileSync(path.join(projectDir, document.file), await document.build());
  process.stdout.write(`wrote ${document.file}\n`);
}
