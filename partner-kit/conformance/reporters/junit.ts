// The report as JUnit XML, which every CI server shows as tests: one testcase per rule, a failure
// element with what was seen for a rule that failed. A few lines of serializing rather than a
// library: the JUnit writers on npm bring lodash and an XML builder for these twenty lines.
import type { ConformanceReport } from '../runner.ts';

/** Characters XML 1.0 cannot carry at all, even escaped: most control characters, lone surrogates. */
const notXmlCharacters =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(notXmlCharacters, '\ufffd')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitReport(report: ConformanceReport): string {
  const failures = report.results.filter((result) => !result.passed).length;
  const counts = { tests: report.results.length, failures, errors: 0, skipped: 0 };
  const properties = Object.entries({ runId: report.runId, ...report.target })
    .map(([name, value]) => `      <property${attributes({ name, value })}/>`)
    .join('\n');
  const cases = report.results.map((result) => {
    const head = `    <testcase${attributes({
      name: result.name,
      classname: `conformance.${result.name.split('.')[0]}`,
      time: seconds(result.durationMs),
    })}>`;
    const outcome = result.passed
      ? `      <system-out>${escapeXml(result.seen)}</system-out>`
      : `      <failure${attributes({ message: result.seen, type: 'ConformanceRuleFailed' })}>${escapeXml(
          `${result.title}\n${result.seen}`,
        )}</failure>`;
    return `${head}\n${outcome}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'points alliance partner conformance', ...counts, time: seconds(report.durationMs) })}>`,
    `  <testsuite${attributes({
      name: `conformance of ${report.target.url}`,
      ...counts,
      time: seconds(report.durationMs),
      timestamp: report.startedAt,
    })}>`,
    '    <properties>',
    properties,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
