/** Token verification, the development issuer and the client-side TokenManager. */
export {};
