// A relying party written against the npm `jose` package, as a Node client of
// MAA would be: openid-configuration -> jwks_uri (createRemoteJWKSet) ->
// jwtVerify (RS256, issuer); then the same with the key taken from the JWK's
// x5c certificate; then a tampered token must be refused.
//
//   NODE_EXTRA_CA_CERTS=ca.pem node maa_interop.mjs <base url> <token>
//
// Prints {"claims": {...}, "header": {...}} on success (exit 0); exit 1 with
// the reason on stderr if anything fails; exit 3 if `jose` cannot be loaded.
let jose;
try {
  jose = await import('jose');
} catch (err) {
  console.error(`cannot load the npm package 'jose' (${err.code}); run scripts/deps`);
  process.exit(3);
}

const [, , baseUrl, token] = process.argv;
try {
  const meta = await (await fetch(`${baseUrl}/.well-known/openid-configuration`)).json();
  if (!meta.jwks_uri || !meta.issuer) throw new Error('metadata lacks jwks_uri or issuer');
  const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
    issuer: meta.issuer,
    algorithms: ['RS256'],
  });

  const set = await (await fetch(meta.jwks_uri)).json();
  const jwk = set.keys.find((k) => k.kid === protectedHeader.kid);
  if (!jwk || !jwk.x5c || jwk.x5c.length === 0) throw new Error('no x5c for the kid');
  const pem = `-----BEGIN CERTIFICATE-----\n${jwk.x5c[0].match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
  const certKey = await jose.importX509(pem, 'RS256');
  await jose.jwtVerify(token, certKey, { issuer: meta.issuer, algorithms: ['RS256'] });

  const [h, p, s] = token.split('.');
  const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
  forged['x-mpcc-evidence-simulated'] = !forged['x-mpcc-evidence-simulated'];
  const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
  let refused = false;
  try {
    await jose.jwtVerify(tampered, jwks, { issuer: meta.issuer, algorithms: ['RS256'] });
  } catch (err) {
    refused = err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
  }
  if (!refused) throw new Error('a tampered token was not refused');

  console.log(JSON.stringify({ header: protectedHeader, claims: payload }));
} catch (err) {
  console.error(`maa_interop: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
