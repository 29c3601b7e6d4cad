// One operation as a loyalty system of record saw it (a partner's own, or the hosted ledger), in the
// shape reconciliation compares with the gateway's own record of the steps it took there.
export interface PartnerTransaction {
  key: string;
  operation: 'reserve' | 'post' | 'void' | 'credit' | 'reverse';
  accountRef: string | null;
  points: bigint;
  status: string;
  at: Date;
}
