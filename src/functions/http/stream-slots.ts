/** A stream's place among those served; give it back once, when the stream ends however it ends. */
export interface StreamSlot {
  /** Frees the place; a second call does nothing. */
  release(): void;
}

/** A place, or which cap refused it. */
export type Reservation =
  | { readonly ok: true; readonly slot: StreamSlot }
  | { readonly ok: false; readonly cap: 'per-caller' | 'total'; readonly limit: number };

export interface StreamSlotsOptions {
  /** Most streams one caller holds at once (at least 1). */
  readonly perCaller: number;
  /** Most streams held at once, by everyone (at least 1). */
  readonly total: number;
}

/** Counts the streams held, per caller and in all, and refuses one more beyond either cap. */
export class StreamSlots {
  private readonly byCaller = new Map<string, number>();
  private held = 0;

  constructor(private readonly options: StreamSlotsOptions) {
    if (!(options.perCaller >= 1)) throw new Error('perCaller must be >= 1');
    if (!(options.total >= 1)) throw new Error('total must be >= 1');
  }

  /** Streams held now. */
  get size(): number {
    return this.held;
  }

  /** `caller`: who the stream counts against (Caller.principal). */
  reserve(caller: string): Reservation {
    const mine = this.byCaller.get(caller) ?? 0;
    // the caller's own cap first: it is the one they can do something about
    if (mine >= this.options.perCaller) return { ok: false, cap: 'per-caller', limit: this.options.perCaller };
    if (this.held >= this.options.total) return { ok: false, cap: 'total', limit: this.options.total };
    this.byCaller.set(caller, mine + 1);
    this.held += 1;
    let released = false;
    return {
      ok: true,
      slot: {
        release: () => {
          if (released) return;
          released = true;
          this.held -= 1;
          const left = (this.byCaller.get(caller) ?? 1) - 1;
          if (left === 0) this.byCaller.delete(caller);
          else this.byCaller.set(caller, left);
        },
      },
    };
  }
}
