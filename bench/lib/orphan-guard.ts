// Loaded into every service a benchmark or the crash test starts (`node --import`): a service whose
// parent died without stopping it (a test runner killed mid-run) kills itself, rather than run on.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
}, 1_000).unref();
