// Finance's steps in settlement tests, signed as finance through the gateway.
import type { TestGateway } from './gateway.ts';

/** Records an instruction paid, with a reference named after it unless another is given. */
export function payInstruction(
  gateway: TestGateway,
  instructionId: string,
  reference = `bank-${instructionId}`,
) {
  return gateway.call(gateway.finance, 'POST', `/v1/finance/settlement/instructions/${instructionId}/paid`, {
    body: { paymentReference: reference },
  });
}
