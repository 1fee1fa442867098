#!/usr/bin/env python3
"""tests/scenario_figures.py - re-measure the figures the scenario docs quote.

docs/scenario-figures.json lists every result figure that docs/scenarios.md
and the scenario headers (scenarios/*.lua) quote, grouped by the faultline
command that measures it.  Each quote is a piece of the file's text in which
every figure is written as a {Python expression} over that command's
results; the tool runs each distinct command once, evaluates the
expressions, and compares each value with the number in the file at the
number's own printed precision (0.9248 is checked to 4 decimals, 402 to
units, 1,033,242 to units).  A claim is an expression that must stay true
for a sentence of the prose that draws a conclusion from the figures.

    python3 tests/scenario_figures.py              # report stale figures
    python3 tests/scenario_figures.py --update     # rewrite them in place
    python3 tests/scenario_figures.py --only fleet-100k --cache /tmp/figs

Exit status: 0 every figure matches and every claim holds (after --update:
every figure was rewritten and every claim holds), 1 a figure is stale or a
claim no longer holds, 2 bad usage, a quote not found exactly once in its
file, an expression that fails, or a faultline command that fails.

What an expression sees (docs/scenario-figures.json's "help" says the same):
  a `run` command: every key of summary.json's "metrics" (ettr,
    interruptions, mttr_hours, ...), events, sim_hours, S (the whole
    summary), cause(NAME) (interruptions of that cause), job(NAME, COLUMN)
    (jobs.csv), interruption(CAUSE, COLUMN) (the first of that cause in
    interruptions.csv), note(REGEX) (the first group of REGEX's first match
    in notes.txt, as a number), notes(REGEX) (all matches), count(REGEX);
  a `sweep` command: mean/sd/lo/hi/minimum/maximum(METRIC, POINT) (sweep.json; lo
    and hi are the 95% CI; POINT is the point's name, e.g. "spares=16",
    optional when the sweep has one point) and seed(N, POINT), a run's
    namespace as above for that replica (seed(2).ettr).
"""
import argparse
import concurrent.futures
import csv
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = r'-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?'


class Bad(Exception):
    """Bad input or an unusable environment: exit status 2."""


def number_value(text):
    return float(text.replace(',', ''))


def format_like(value, old):
    """value printed as the number `old` is printed (decimals, thousands
    separators)."""
    decimals = len(old.split('.')[1]) if '.' in old else 0
    grouped = ',' in old or (abs(number_value(old)) < 1000 and abs(value) >= 1000)
    text = f'{value:,.{decimals}f}' if grouped else f'{value:.{decimals}f}'
    if re.fullmatch(r'-0(\.0*)?', text):
        text = text[1:]
    return text


# -- results of one command ------------------------------------------------

class Run:
    """The namespace of one `faultline run` output folder."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, 'summary.json'), encoding='utf-8') as f:
            self.S = json.load(f)
        self._jobs = None
        self._notes = None

    def names(self):
        ns = dict(self.S.get('metrics', {}))
        ns.update(events=self.S.get('events'), sim_hours=self.S.get('sim_hours'),
                  S=self.S, cause=self.cause, job=self.job, note=self.note,
                  notes=self.notes, count=self.count, interruption=self.interruption)
        return ns

    def __getattr__(self, name):
        ns = self.names()
        if name in ns:
            return ns[name]
        raise AttributeError(f'no metric {name!r} in {self.folder}/summary.json')

    def cause(self, name):
        return self.S['metrics']['interruptions_by_cause'].get(name, 0)

    def job(self, name, column):
        if self._jobs is None:
            with open(os.path.join(self.folder, 'jobs.csv'), encoding='utf-8') as f:
                self._jobs = {row['name']: row for row in csv.DictReader(f)}
        if name not in self._jobs:
            raise KeyError(f'no job {name!r} in {self.folder}/jobs.csv')
        return float(self._jobs[name][column])

    def interruption(self, cause, column):
        """COLUMN of the first interruption of CAUSE in interruptions.csv."""
        with open(os.path.join(self.folder, 'interruptions.csv'), encoding='utf-8') as f:
            for row in csv.DictReader(f):
                if row['cause'] == cause:
                    return float(row[column])
        raise KeyError(f'no interruption of cause {cause!r} in {self.folder}/interruptions.csv')

    def _notes_text(self):
        if self._notes is None:
            path = os.path.join(self.folder, 'notes.txt')
            self._notes = open(path, encoding='utf-8').read() if os.path.exists(path) else ''
        return self._notes

    def note(self, regex):
        m = re.search(regex, self._notes_text())
        if not m:
            raise KeyError(f'notes.txt of {self.folder} has no match for {regex!r}')
        return number_value(m.group(1))

    def notes(self, regex):
        return [number_value(m.group(1)) for m in re.finditer(regex, self._notes_text())]

    def count(self, regex):
        return len(re.findall(regex, self._notes_text()))


class Sweep:
    """The namespace of one `faultline sweep` output folder."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, 'sweep.json'), encoding='utf-8') as f:
            self.J = json.load(f)
        self.points = {p['name']: p for p in self.J['points']}

    def _point(self, point):
        if point is None:
            if len(self.points) != 1:
                raise KeyError(f'the sweep has points {sorted(self.points)}: name one')
            return next(iter(self.points.values()))
        if point not in self.points:
            raise KeyError(f'no point {point!r} (points: {sorted(self.points)})')
        return self.points[point]

    def _stat(self, key):
        def stat(metric, point=None):
            return self._point(point)['metrics'][metric][key]
        return stat

    def seed(self, n, point=None):
        return Run(os.path.join(self.folder, self._point(point)['name'], f'seed-{n}'))

    def __getattr__(self, name):
        ns = self.names()
        if name in ns:
            return ns[name]
        raise AttributeError(name)

    def names(self):
        return dict(mean=self._stat('mean'), sd=self._stat('sd'), lo=self._stat('ci95_low'),
                    hi=self._stat('ci95_high'), minimum=self._stat('min'), maximum=self._stat('max'),
                    seed=self.seed, J=self.J)


# -- running the commands --------------------------------------------------

def command_argv(faultline, cmd, out, jobs):
    argv = shlex.split(cmd)
    if not argv or argv[0] not in ('run', 'sweep'):
        raise Bad(f'command {cmd!r}: only "run ..." and "sweep ..." are measured')
    extra = ['--no-wall-seconds', '-q', '-o', out]
    if argv[0] == 'run':
        extra += ['--no-plots', '--no-pcap']
    else:
        extra += ['-j', str(jobs)]
    return [faultline] + argv + extra


def file_digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def scenario_files(cmd):
    return [os.path.join(ROOT, a) for a in shlex.split(cmd) if a.endswith('.lua')]


def run_command(faultline, binary_id, cmd, cache, jobs):
    """Run `cmd` once into a folder of `cache` named by the command, the
    binary and the scenario's text; reuse it when it is complete."""
    key = hashlib.sha256('\0'.join(
        [cmd, binary_id] + [file_digest(p) for p in scenario_files(cmd) if os.path.exists(p)]
    ).encode()).hexdigest()[:16]
    out = os.path.join(cache, key)
    done = out + '.done'
    if not os.path.exists(done):
        shutil.rmtree(out, ignore_errors=True)
        argv = command_argv(faultline, cmd, out, jobs)
        proc = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        if proc.returncode != 0:
            raise Bad(f'`{" ".join(shlex.quote(a) for a in argv)}` exited with '
                      f'{proc.returncode}:\n{proc.stderr.strip()}')
        with open(done, 'w', encoding='utf-8') as f:
            f.write(cmd + '\n')
    return Sweep(out) if shlex.split(cmd)[0] == 'sweep' else Run(out)


# -- quotes ----------------------------------------------------------------

def parse_template(text):
    """Split a quote into literal pieces and {expressions} ({{ and }} are
    literal braces)."""
    parts, exprs, lit, i = [], [], '', 0
    while i < len(text):
        c = text[i]
        if text.startswith('{{', i) or text.startswith('}}', i):
            lit += c
            i += 2
        elif c == '{':
            j = text.find('}', i)
            if j < 0:
                raise Bad(f'unclosed {{ in quote {text!r}')
            parts.append(lit)
            exprs.append(text[i + 1:j].strip())
            lit, i = '', j + 1
        elif c == '}':
            raise Bad(f'unmatched }} in quote {text!r}')
        else:
            lit += c
            i += 1
    parts.append(lit)
    return parts, exprs


def literal_regex(lit):
    """A literal piece; any run of white space matches any run of white
    space, including a line break and a Lua comment's leading `--`."""
    out = []
    for piece in re.split(r'(\s+)', lit):
        if not piece:
            continue
        out.append(r'\s+(?:--\s+)?' if piece.isspace() else re.escape(piece))
    return ''.join(out)


def locate(text, quote, path):
    parts, exprs = parse_template(quote)
    regex = literal_regex(parts[0])
    for lit in parts[1:]:
        regex += f'({NUMBER})' + literal_regex(lit)
    matches = list(re.finditer(regex, text))
    if len(matches) != 1:
        raise Bad(f'{rel(path)}: quote found {len(matches)} times (must be once): {quote!r}')
    m = matches[0]
    return [(m.start(k + 1), m.end(k + 1), m.group(k + 1), expr) for k, expr in enumerate(exprs)]


def rel(path):
    return os.path.relpath(path, ROOT)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def evaluate(expr, names, where):
    try:
        scope = {'__builtins__': {}, 'abs': abs, 'round': round, 'max': max, 'min': min,
                 'sum': sum, 'len': len, 'all': all, 'any': any, 'sorted': sorted, 'set': set}
        scope.update(names)  # globals, so that a generator expression sees them
        value = eval(expr, scope)
    except Exception as e:  # an expression of the data file is bad input
        raise Bad(f'{where}: {{{expr}}}: {type(e).__name__}: {e}') from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if where.endswith('claim'):
            return value
        raise Bad(f'{where}: {{{expr}}} is {value!r}, not a number')
    return value


def group_commands(g):
    """The commands a group needs: its `cmd`, and the commands of `with`
    (other runs its expressions name by an alias)."""
    return ([g['cmd']] if 'cmd' in g else []) + list(g.get('with', {}).values())


def group_names(g, results):
    names = dict(results[g['cmd']].names()) if 'cmd' in g else {}
    names.update({alias: results[c] for alias, c in g.get('with', {}).items()})
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog='\n\n'.join(__doc__.split('\n\n')[1:]))
    ap.add_argument('--faultline', default=os.environ.get('FAULTLINE',
                    os.path.join(ROOT, 'build', 'cli', 'faultline')),
                    help='the binary (default $FAULTLINE or build/cli/faultline)')
    ap.add_argument('--data', default=os.path.join(ROOT, 'docs', 'scenario-figures.json'))
    ap.add_argument('--update', action='store_true', help='rewrite stale figures in place')
    ap.add_argument('--only', action='append', default=[],
                    help='only commands that name this scenario (repeatable)')
    ap.add_argument('--cache', help='keep the runs in this folder and reuse them '
                    '(keyed by command, binary and scenario text)')
    ap.add_argument('-j', '--jobs', type=int, default=2, help='runs at once (default 2)')
    ap.add_argument('--list', action='store_true', help='print the commands and exit')
    args = ap.parse_args()

    try:
        with open(args.data, encoding='utf-8') as f:
            data = json.load(f)
        groups = [g for g in data['measured']
                  if not args.only or any(re.search(r'\b' + re.escape(o) + r'\.lua\b', c)
                                          for o in args.only for c in group_commands(g))]
        if args.list:
            for g in groups:
                for c in group_commands(g):
                    print('faultline ' + c)
            return 0
        if not os.access(args.faultline, os.X_OK):
            raise Bad(f'no faultline binary at {args.faultline} (build first, or --faultline)')

        # Find every quote before running anything: a quote the prose lost
        # is reported at once.
        texts, located = {}, []
        for g in groups:
            for q in g.get('quotes', []):
                path = os.path.join(ROOT, q['file'])
                if path not in texts:
                    if not os.path.exists(path):
                        raise Bad(f'{args.data}: no file {q["file"]}')
                    texts[path] = open(path, encoding='utf-8').read()
                located.append((g, path, q['text'], locate(texts[path], q['text'], path)))
            for c in g.get('claims', []):
                path = os.path.join(ROOT, c['file'])
                if path not in texts:
                    texts[path] = open(path, encoding='utf-8').read()
                if literal_regex(c['text']) and not re.search(literal_regex(c['text']), texts[path]):
                    raise Bad(f'{rel(path)}: the sentence of a claim is not there: {c["text"]!r}')

        cache = args.cache or tempfile.mkdtemp(prefix='scenario-figures.')
        os.makedirs(cache, exist_ok=True)
        # The binary and the library it loads (build/lib/libfaultline.so
        # beside build/cli/faultline), so that a rebuilt library is not
        # mistaken for the cached one.
        lib = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.faultline))),
                           'lib', 'libfaultline.so')
        binary_id = ':'.join(file_digest(p) for p in (args.faultline, lib) if os.path.exists(p))
        cmds = list(dict.fromkeys(c for g in groups for c in group_commands(g)))
        runs = [c for c in cmds if shlex.split(c)[0] == 'run']
        sweeps = [c for c in cmds if shlex.split(c)[0] == 'sweep']
        print(f'# {len(runs)} runs and {len(sweeps)} sweeps', file=sys.stderr)
        try:
            return measure(args, groups, located, texts, cmds, runs, sweeps, cache, binary_id)
        finally:
            if not args.cache:
                shutil.rmtree(cache, ignore_errors=True)
    except Bad as e:
        print(f'scenario_figures: {e}', file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as e:
        print(f'scenario_figures: {e}', file=sys.stderr)
        return 2


def measure(args, groups, located, texts, cmds, runs, sweeps, cache, binary_id):
    """Run the commands, compare (and with --update rewrite) the figures,
    check the claims; the exit status."""
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {c: pool.submit(run_command, args.faultline, binary_id, c, cache, 1)
                   for c in runs}
        for c, fut in futures.items():
            results[c] = fut.result()
    for c in sweeps:
        results[c] = run_command(args.faultline, binary_id, c, cache, args.jobs)

    stale, edits, nfig = 0, {}, 0
    for g, path, quote, spans in located:
        names = group_names(g, results)
        for start, end, old, expr in spans:
            nfig += 1
            where = f'{rel(path)}:{line_of(texts[path], start)}'
            value = evaluate(expr, names, where)
            new = format_like(value, old)
            if new.replace(',', '') != old.replace(',', ''):
                stale += 1
                print(f'{where}: {old} -> {new}  {{{expr}}}  (faultline {" + ".join(group_commands(g))})')
                edits.setdefault(path, []).append((start, end, new))
    failed = 0
    for g in groups:
        names = group_names(g, results)
        for c in g.get('claims', []):
            if not evaluate(c['expr'], names, f'{c["file"]}: claim'):
                failed += 1
                print(f'{c["file"]}: claim no longer holds: {c["expr"]}  '
                      f'(faultline {" + ".join(group_commands(g))})\n    the prose says: {c["text"]}')
    if args.update:
        for path, spans in edits.items():
            text = texts[path]
            for start, end, new in sorted(spans, reverse=True):
                text = text[:start] + new + text[end:]
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
    nclaims = sum(len(g.get('claims', [])) for g in groups)
    print(f'{nfig} figures from {len(cmds)} commands: {stale} stale'
          f'{" (rewritten)" if args.update and stale else ""}; '
          f'{nclaims} claims: {failed} no longer hold')
    if failed or (stale and not args.update):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
