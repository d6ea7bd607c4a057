#!/bin/sh
# The seccomp allow-lists quoted in SECURITY.md must be exactly what the
# code enforces: compare each daemon's `-S` output with the fenced block
# between <!-- policy:NAME --> and <!-- /policy:NAME -->.
cd "$(dirname "$0")/.." || exit 1
for d in talkd comsat rwhod; do
	if [ ! -x "./$d" ]; then
		echo "SKIP: $d allow-list matches SECURITY.md (not built yet)"
		continue
	fi
	doc=$(sed -n "/<!-- policy:$d -->/,/<!-- \/policy:$d -->/p" \
	    SECURITY.md | sed '1,2d;$d' | sed '$d')
	code=$("./$d" -S)
	if [ -n "$code" ] && [ "$doc" = "$code" ]; then
		echo "PASS: $d allow-list in SECURITY.md matches \`$d -S\`"
	else
		echo "FAIL: $d allow-list in SECURITY.md matches \`$d -S\`"
		echo "$code" >/tmp/policy.code.$$
		echo "$doc" >/tmp/policy.doc.$$
		diff /tmp/policy.doc.$$ /tmp/policy.code.$$ | sed 's/^/# /'
		rm -f /tmp/policy.code.$$ /tmp/policy.doc.$$
	fi
done
