import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';

/** What the fake hands the test's `launch`: the one container of a group, as ARM received it. */
export interface LaunchedGroup {
  readonly name: string;
  readonly command: readonly string[];
  /** `value` and `secureValue` variables merged, as the container sees them. */
  readonly env: Readonly<Record<string, string>>;
  readonly image: string;
  /** ARM ids of the user-assigned identities attached to the group. */
  readonly identityIds: readonly string[];
  readonly cpu: number;
  readonly memoryGb: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Starts the group's "container": a local process, spawned `detached` so that its group can be killed. */
export type Launch = (group: LaunchedGroup) => ChildProcess;

/** How a fake group gets going: after a delay, and with its image pullable or not. */
export interface GroupStart {
  readonly launch: Launch;
  readonly startDelayMs: number;
  /** The image cannot be pulled: ACI gives up `giveUpMs` after the first failed pull. */
  readonly pullFails: { readonly giveUpMs: number } | null;
}

interface ArmEvent {
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  name: string;
  message: string;
  type: 'Normal' | 'Warning';
}

/** The async operation ARM reports for the group's create (Azure-AsyncOperation). */
export interface GroupOperation {
  readonly id: string;
  readonly startTime: string;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  endTime?: string;
  error?: { code: string; message: string };
}

const KILL_GRACE_MS = 2_000;

/**
 * One container group of the fake, with its container as a real process: its output is the log, its exit
 * code the container's (killed by a signal: 128 + the signal's number, as Docker reports it, 137 for SIGKILL).
 */
export class FakeAciGroup {
  launches = 0;
  readonly operation: GroupOperation;
  private provisioningState: 'Creating' | 'Succeeded' | 'Failed' = 'Creating';
  private container: {
    state: 'Waiting' | 'Running' | 'Terminated';
    startTime?: string;
    finishTime?: string;
    exitCode?: number;
    detailStatus: string;
  } = { state: 'Waiting', detailStatus: '' };
  private readonly events: ArmEvent[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<unknown> = Promise.resolve();
  private log = '';
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly name: string,
    /** The PUT body as received (secure values included: a test may check them). */
    readonly spec: ArmGroupBody,
    readonly launched: LaunchedGroup,
    operationId: string,
  ) {
    this.operation = { id: operationId, startTime: new Date().toISOString(), status: 'InProgress' };
  }

  get isRunning(): boolean {
    return this.container.state === 'Running';
  }

  start(how: GroupStart): void {
    this.event('Pulling', `pulling image "${this.launched.image}"`, 'Normal');
    this.after(how.startDelayMs, () => {
      if (how.pullFails) return this.failPull(how.pullFails.giveUpMs);
      this.event('Pulled', `Successfully pulled image "${this.launched.image}"`, 'Normal');
      this.run(how.launch);
    });
  }

  /** Kills the container's process group (SIGTERM, SIGKILL after a grace) and waits until it is gone. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child.pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child.pid ?? 0, 'SIGKILL'), KILL_GRACE_MS);
    await this.exited;
    clearTimeout(killer);
  }

  /** The last `tail` lines of the container's output. */
  logs(tail: number | null): string {
    if (tail === null) return this.log;
    const lines = this.log.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.length === 0 ? '' : `${lines.slice(-tail).join('\n')}\n`;
  }

  /** The group as ARM's GET answers it: secure values left out, instance views filled in. */
  toArm(id: string): Record<string, unknown> {
    const { properties, ...rest } = this.spec;
    const [container] = properties.containers;
    const groupState = { Waiting: 'Pending', Running: 'Running', Terminated: 'Succeeded' }[this.container.state];
    return {
      ...rest,
      id,
      name: this.name,
      type: 'Microsoft.ContainerInstance/containerGroups',
      properties: {
        ...properties,
        provisioningState: this.provisioningState,
        sku: 'Standard',
        containers: [
          {
            name: container?.name,
            properties: {
              ...container?.properties,
              environmentVariables: container?.properties.environmentVariables?.map(({ name, value }) =>
                value === undefined ? { name } : { name, value },
              ),
              instanceView: { restartCount: 0, currentState: { ...this.container }, events: this.events },
            },
          },
        ],
        instanceView: {
          events: [],
          state: this.container.state === 'Terminated' && this.container.exitCode !== 0 ? 'Failed' : groupState,
        },
      },
    };
  }

  private run(launch: Launch): void {
    const child = launch(this.launched);
    this.child = child;
    this.launches += 1;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.log += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.log += chunk.toString('utf8');
    });
    // 'close', not 'exit': the output is complete only once the pipes are
    this.exited = once(child, 'close').then(([code, signal]) => {
      const exitCode =
        typeof signal === 'string' ? 128 + (constants.signals[signal as NodeJS.Signals] ?? 9) : Number(code);
      const finishTime = new Date().toISOString();
      this.container = {
        ...this.container,
        state: 'Terminated',
        exitCode,
        finishTime,
        detailStatus: exitCode === 0 ? 'Completed' : 'Error',
      };
      this.event('Killing', 'Killing container', 'Normal');
    });
    const startTime = new Date().toISOString();
    this.container = { state: 'Running', startTime, detailStatus: '' };
    this.event('Started', 'Started container', 'Normal');
    this.provisioningState = 'Succeeded';
    this.operation.status = 'Succeeded';
    this.operation.endTime = startTime;
  }

  private failPull(giveUpMs: number): void {
    const image = this.launched.image;
    this.event(
      'Failed',
      `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
      'Warning',
    );
    this.event('BackOff', `Back-off pulling image "${image}"`, 'Normal');
    this.after(giveUpMs, () => {
      this.provisioningState = 'Failed';
      this.operation.status = 'Failed';
      this.operation.endTime = new Date().toISOString();
      this.operation.error = {
        code: 'InaccessibleImage',
        message: `The image '${image}' in container group '${this.name}' is not accessible. Please check the image and registry credential.`,
      };
    });
  }

  private event(name: string, message: string, type: ArmEvent['type']): void {
    const at = new Date().toISOString();
    this.events.push({ count: 1, firstTimestamp: at, lastTimestamp: at, name, message, type });
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The part of ARM's ContainerGroup body the fake reads. */
export interface ArmGroupBody {
  location?: string;
  tags?: Record<string, string>;
  identity?: { type?: string; userAssignedIdentities?: Record<string, unknown> };
  properties: {
    osType?: string;
    restartPolicy?: string;
    ipAddress?: { type?: string };
    subnetIds?: { id: string }[];
    imageRegistryCredentials?: { server: string; identity?: string }[];
    containers: {
      name: string;
      properties: {
        image: string;
        command?: string[];
        environmentVariables?: { name: string; value?: string; secureValue?: string }[];
        resources?: { requests?: { cpu?: number; memoryInGB?: number } };
      };
    }[];
  };
}
