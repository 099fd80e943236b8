import type { ContainerGroup, Event } from '@azure/arm-containerinstance';
import { describe, expect, it } from 'vitest';
import { toContainerGroupState } from '../../../src/containers/arm-group-mapping.js';

const at = (iso: string) => new Date(iso);
const event = (name: string, message: string, type: string, iso: string): Event => ({
  name,
  message,
  type,
  count: 1,
  firstTimestamp: at(iso),
  lastTimestamp: at(iso),
});
const group = (provisioningState: string, state: string, events: Event[], extra = {}): ContainerGroup => ({
  name: 'cloudo-run-1',
  osType: 'Linux',
  provisioningState,
  containers: [
    {
      name: 'run',
      image: 'img',
      resources: { requests: { cpu: 1, memoryInGB: 1 } },
      instanceView: { currentState: { state, ...extra }, events },
    },
  ],
});

describe('toContainerGroupState', () => {
  it('pending carries the latest event, running its start', () => {
    const pulling = event('Pulling', 'pulling image "img"', 'Normal', '2026-03-01T12:00:00Z');
    expect(toContainerGroupState(group('Creating', 'Waiting', [pulling]))).toEqual({
      phase: 'pending',
      detail: 'pulling image "img"',
    });
    expect(toContainerGroupState(group('Succeeded', 'Running', [], { startTime: at('2026-03-01T12:00:05Z') }))).toEqual(
      { phase: 'running', startedAt: '2026-03-01T12:00:05.000Z' },
    );
  });

  it('a failed pull fails the run even before ACI gives up, with ACI’s message', () => {
    const events = [
      event('Pulling', 'pulling image "img"', 'Normal', '2026-03-01T12:00:00Z'),
      event('Failed', 'Failed to pull image "img": not found', 'Warning', '2026-03-01T12:00:01Z'),
      event('BackOff', 'Back-off pulling image "img"', 'Normal', '2026-03-01T12:00:02Z'),
    ];
    const failed = { phase: 'failed', error: 'Failed to pull image "img": not found' };
    expect(toContainerGroupState(group('Creating', 'Waiting', events))).toEqual(failed);
    expect(toContainerGroupState(group('Failed', 'Waiting', events))).toEqual(failed);
  });

  it('a failed provisioning without events still says which group failed', () => {
    expect(toContainerGroupState(group('Failed', 'Waiting', []))).toEqual({
      phase: 'failed',
      error: 'Azure reports that container group cloudo-run-1 failed to provision',
    });
  });

  it('a terminated container reports its exit code, even when ARM calls the group failed', () => {
    const ended = { exitCode: 137, finishTime: at('2026-03-01T12:01:00Z'), detailStatus: 'OOMKilled' };
    expect(toContainerGroupState(group('Failed', 'Terminated', [], ended))).toEqual({
      phase: 'terminated',
      exitCode: 137,
      finishedAt: '2026-03-01T12:01:00.000Z',
      detail: 'OOMKilled',
    });
  });
});
