#!/usr/bin/env bash
# Proves a library works as other services will consume it: build it, `npm pack` it, install the tarball (and
# the tarballs of any @atoms/* libraries it depends on) into a scratch ESM project, import every entry of its
# exports map and check the type declarations compile under NodeNext resolution.
# Usage: tools/ci/pack-check.sh <project-name> (e.g. session)
set -euo pipefail
project="${1:?usage: pack-check.sh <project>}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

cd "$root"
npx nx run "$project:build" --outputStyle=static >/dev/null
pkgdir="libs/$project"
name="$(node -p "require('./$pkgdir/package.json').name")"

# Pack this library and the workspace libraries it depends on (published together at one version).
tarballs=()
for dep in $(node -e "
  const p=require('./$pkgdir/package.json');
  console.log(Object.keys(p.dependencies||{}).filter(d=>d.startsWith('@atoms/')).map(d=>d.split('/')[1]).join(' '))"); do
  npx nx run "$dep:build" --outputStyle=static >/dev/null
  tarballs+=("$(cd "libs/$dep" && npm pack --silent --pack-destination "$scratch")")
done
tarballs+=("$(cd "$pkgdir" && npm pack --silent --pack-destination "$scratch")")
echo "pack-check: packed ${tarballs[*]}"

cd "$scratch"
cat > package.json <<JSON
{ "name": "pack-check", "private": true, "type": "module" }
JSON
# Optional peers (e.g. ioredis for @atoms/session/redis) are installed too, so every entry can be imported.
peers="$(node -p "Object.entries(require('$root/$pkgdir/package.json').peerDependencies||{}).map(([n,v])=>n+'@'+v).join(' ')")"
npm install --silent --no-audit --no-fund $(printf './%s ' "${tarballs[@]}") $peers typescript@~6.0.3 @types/node@20 >/dev/null

# Every entry of the exports map imports at run time...
entries="$(node -p "Object.keys(require('./node_modules/$name/package.json').exports).filter(e=>e!=='./package.json').join(' ')")"
i=0
for entry in $entries; do
  i=$((i + 1))
  spec="$name${entry#.}"
  node --input-type=module -e "const m = await import('$spec'); console.log('pack-check: import $spec ->', Object.keys(m).length, 'exports');"
  echo "import * as m$i from '$spec'; export const loaded$i: object = m$i;" >> check.ts
done
# ...and its declarations type-check for a consumer.
npx tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck false check.ts
echo "pack-check: $name OK (tarball installs, every entry imports, declarations type-check)"
