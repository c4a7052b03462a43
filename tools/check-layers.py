#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""No two modules of one directory include or call each other in a loop.

Each file is a node. A file depends on the header it includes ("B.h"), and
on the .c file that defines a function it calls (a definition outside
"static"); a header calls only from its inline functions and macros. Function pointers
handed over at run time (callbacks, listeners) are not calls: they are how
a lower layer reports to the layer above without knowing it.

  tools/check-layers.py [-v] [DIR...]     (default: src/daemon src/ctl)

Prints each directory's dependencies with -v; exits 1 on any cycle."""
import os
import re
import sys

DEF = re.compile(r'^(?!static\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])?([a-z_]\w*)\s*\(([^;{]*)\)\s*(?:__attribute__\(\([^)]*\)\)\s*)?\{',
                 re.M | re.S)
INCLUDE = re.compile(r'^#include\s+"([^"]+)\.h"', re.M)
INLINE = re.compile(r'^static inline [^;{]*\{(.*?)^\}', re.M | re.S)
MACRO = re.compile(r'^#define \w+\(.*?(?<!\\)$', re.M | re.S)
IDENT = re.compile(r'\b([a-z_]\w*)\s*\(')


def strip(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def graph(directory):
    files = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(('.c', '.h')):
            with open(os.path.join(directory, name), encoding='utf-8') as f:
                files[name] = f.read()
    defined = {}
    for name, text in files.items():
        if name.endswith('.c'):
            for m in DEF.finditer(strip(text)):
                if m.group(1) not in ('if', 'for', 'while', 'switch', 'return', 'sizeof'):
                    defined.setdefault(m.group(1), name)
    edges = {name: {} for name in files}
    for name, text in files.items():
        for inc in INCLUDE.findall(text):
            header = inc + '.h'
            if header in files and header != name:
                edges[name].setdefault(header, set()).add('#include "%s"' % header)
        body = strip(text)
        if not name.endswith('.c'):
            # A header declares, it does not call, except in its inline
            # functions and macros.
            body = '\n'.join(INLINE.findall(body) + MACRO.findall(body))
        for fn in IDENT.findall(body):
            owner = defined.get(fn)
            if owner and owner != name:
                edges[name].setdefault(owner, set()).add(fn + '()')
    return edges


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def main(argv):
    verbose = '-v' in argv
    dirs = [a for a in argv if a != '-v'] or ['src/daemon', 'src/ctl']
    bad = 0
    for d in dirs:
        edges = graph(d)
        if verbose:
            for mod in sorted(edges):
                for dep in sorted(edges[mod]):
                    print('%s: %s -> %s (%s)' % (d, mod, dep, ', '.join(sorted(edges[mod][dep])[:4])))
        found = cycles(edges)
        for comp in found:
            bad += 1
            print('%s: loop between %s' % (d, ', '.join(comp)))
            for a in comp:
                for b in comp:
                    if b in edges[a]:
                        print('  %s -> %s: %s' % (a, b, ', '.join(sorted(edges[a][b]))))
        print('%s: %d files, %d dependencies, %s' % (
            d, len(edges), sum(len(v) for v in edges.values()),
            'no loops' if not found else '%d loop(s)' % len(found)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
