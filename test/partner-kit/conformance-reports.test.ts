// The JUnit report carries what a partner's system answered, word for word: whatever that was
// (markup, quotes, control characters, broken UTF-16), the XML stays well-formed and reads back.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../partner-kit/conformance/reporters/json.ts';
import { junitReport } from '../../partner-kit/conformance/reporters/junit.ts';
import type { ConformanceReport } from '../../partner-kit/conformance/runner.ts';

const report = (seen: string): ConformanceReport => ({
  runId: 'conformance-20261130T000000-abcdef',
  target: {
    url: 'http://127.0.0.1:1/?a=1&b=<2>',
    partnerId: 'ptn_"quoted"',
    issuer: 'points-alliance-gateway',
    kid: "kid'1",
    accountRef: 'alice',
    secondAccountRef: 'bob',
  },
  startedAt: '2026-11-30T00:00:00.000Z',
  durationMs: 1234,
  passed: false,
  results: [
    {
      name: 'idempotency.credit',
      title: 'A repeated credit adds the points once.',
      passed: false,
      seen,
      durationMs: 12,
    },
    { name: 'semantics.credit_adds', title: 'A credit adds.', passed: true, seen, durationMs: 3 },
  ],
});

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, parseAttributeValue: false, parseTagValue: false }).parse(xml);

describe('the JUnit report', () => {
  it.each([
    [
      'markup and entities',
      '<b>401</b> & "refused" \'for good\' ]]> &amp;',
      '<b>401</b> & "refused" \'for good\' ]]> &amp;',
    ],
    [
      'control characters, which XML cannot carry',
      'bell\u0007 nul\u0000 tab\tend',
      'bell\ufffd nul\ufffd tab\tend',
    ],
    ['a lone surrogate', 'half \ud800 a pair \ud83d\ude00', 'half \ufffd a pair \ud83d\ude00'],
  ])('stays well-formed with %s in what was seen', (_, seen, readBack) => {
    const xml = junitReport(report(seen));

    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    expect(suite['@_tests']).toBe('2');
    expect(suite['@_failures']).toBe('1');
    expect(suite.testcase[0].failure['@_message']).toBe(readBack);
    expect(suite.testcase[1]['system-out']).toBe(readBack);
    expect(
      suite.properties.property.find((p: Record<string, string>) => p['@_name'] === 'url')['@_value'],
    ).toBe('http://127.0.0.1:1/?a=1&b=<2>');
  });
});

describe('the JSON report', () => {
  it('is the report itself', () => {
    const written = report('a credit of 40: available 1000 → 1040');

    expect(JSON.parse(jsonReport(written))).toEqual(written);
  });
});
