import { describe, expect, it } from 'vitest';
import { junitFailures } from './python.ts';

/** What pytest 8 writes with `-o junit_family=xunit1 --continue-on-collection-errors`, rootdir /home/ada/tracks. */
const XUNIT1 = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="0" tests="4" time="0.033" timestamp="2026-03-02T09:29:32.482340+00:00" hostname="vm"><testcase classname="" name="check.test_broken" file="check/test_broken.py" time="0.000"><error message="collection failure">ImportError while importing test module '/home/ada/tracks/check/test_broken.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/root/.pyenv/versions/3.11.7/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
check/test_broken.py:1: in &lt;module&gt;
    from svc.demo import subtract
E   ImportError: cannot import name 'subtract' from 'svc.demo' (/home/ada/tracks/svc/demo.py)</error></testcase><testcase classname="check.test_demo" name="test_add_sums_two_numbers" file="check/test_demo.py" line="3" time="0.001"><failure message="AssertionError: add(2, 3) should be 5&#10;assert 0 == 5&#10; +  where 0 = add(2, 3)">def test_add_sums_two_numbers() -&gt; None:
&gt;       assert add(2, 3) == 5, "add(2, 3) should be 5"
E       AssertionError: add(2, 3) should be 5
E       assert 0 == 5
E        +  where 0 = add(2, 3)

check/test_demo.py:5: AssertionError</failure></testcase><testcase classname="check.test_demo" name="test_add_zero" file="check/test_demo.py" line="7" time="0.000" /><testcase classname="check.test_demo" name="test_parse_reads_digits" file="check/test_demo.py" line="11" time="0.000"><failure message="ValueError: not a number: '42'">def test_parse_reads_digits() -&gt; None:
        from svc.demo import parse
    
&gt;       assert parse("42") == 42
               ^^^^^^^^^^^

check/test_demo.py:15: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

text = '42'

    def parse(text: str) -&gt; int:
&gt;       raise ValueError(f"not a number: {text!r}")
E       ValueError: not a number: '42'

svc/demo.py:7: ValueError</failure></testcase></testsuite></testsuites>`;

describe('junitFailures (pytest xunit1 XML)', () => {
  const failures = junitFailures(XUNIT1, '/home/ada/tracks');

  it('reports each failure and error once, in file order, and nothing for passing tests', () => {
    expect(failures.map((f) => f.test)).toEqual([
      'check/test_broken.py',
      'check/test_demo.py::test_add_sums_two_numbers',
      'check/test_demo.py::test_parse_reads_digits',
    ]);
  });

  it('a failed assertion: the test id, the message with its real newlines, the test line', () => {
    expect(failures[1]).toEqual({
      test: 'check/test_demo.py::test_add_sums_two_numbers',
      message: 'AssertionError: add(2, 3) should be 5\nassert 0 == 5\n +  where 0 = add(2, 3)',
      where: 'check/test_demo.py:5',
    });
  });

  it('an exception raised in the service: the deepest file:line is where it was raised', () => {
    expect(failures[2]).toEqual({
      test: 'check/test_demo.py::test_parse_reads_digits',
      message: "ValueError: not a number: '42'",
      where: 'svc/demo.py:7',
    });
  });

  it('a collection error names the module, says why it could not be imported and where', () => {
    expect(failures[0]).toEqual({
      test: 'check/test_broken.py',
      message: "collection failure: ImportError: cannot import name 'subtract' from 'svc.demo' (/home/ada/tracks/svc/demo.py)",
      where: 'check/test_broken.py:1',
    });
  });

  it('XML without failures gives none; a bare <testsuite> root is read too', () => {
    expect(junitFailures('<?xml version="1.0"?><testsuites><testsuite tests="1"><testcase classname="a" name="t" file="a.py"/></testsuite></testsuites>', '/r')).toEqual([]);
    expect(
      junitFailures('<testsuite><testcase classname="check.test_a" name="test_b"><failure message="boom &amp; more">t.py:3: boom</failure></testcase></testsuite>', '/r'),
    ).toEqual([{ test: 'check.test_a::test_b', message: 'boom & more', where: 't.py:3' }]);
  });
});
