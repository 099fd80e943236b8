/** What the fuzzer knows of the app it attacks, so a good share of its cases get past the first check. */
export interface FuzzWorld {
  /** Runs that exist (queued, gated, finished), so ids reach past "no execution with id". */
  readonly execIds: readonly string[];
  /** Schemas that exist, for `?id=` and `?schema=`. */
  readonly schemaIds: readonly string[];
  /** Schedules that exist: one of the schemas file (PUT and DELETE refuse it) and one made through the API. */
  readonly scheduleIds: readonly string[];
  /** API tokens that authenticate (`Bearer …`) and the caller id each one yields. */
  readonly bearers: readonly { readonly header: string; readonly callerId: string }[];
  /** A Functions key the host accepts. */
  readonly functionKey: string;
  /** Origins whose pages may change state: the host's own address, the CORS origin, the console's. */
  readonly trustedOrigins: readonly string[];
  /** Signs the run page's decision forms (CLOUDO_SIGNING_KEY). */
  readonly formKey: string;
  /** Slack interactivity: its signing secret, people the fake Slack knows, and where replies may go. */
  readonly slack: {
    readonly signingSecret: string;
    readonly userIds: readonly string[];
    readonly responseUrl: string;
  };
}
