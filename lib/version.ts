/** capo's version, recorded in every manifest so a reader knows which code wrote a shard. */
export const CAPO_VERSION = "0.1.0";
