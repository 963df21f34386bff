export { startDaemon, type RunningDaemon, type StartDaemonDeps } from './start-daemon.ts';
