/** Sessions, refresh-token rotation, revocation, device risk, rate rules, audit and the stores. */
export {};
