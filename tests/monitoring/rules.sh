#!/usr/bin/env bash
# The alert rules as the cluster loads them (deploy/monitoring/prometheus-rule.yaml): valid
# (promtool check rules), behaving as alerts_test.yaml says (promtool test rules), and each
# explained in the runbook (alert_docs.mjs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
node tests/monitoring/extract_rules.mjs "$work/rules.yaml"
cp tests/monitoring/alerts_test.yaml "$work/"
promtool check rules "$work/rules.yaml"
promtool test rules "$work/alerts_test.yaml"
node tests/monitoring/alert_docs.mjs
