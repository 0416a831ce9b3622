"""docs/adding_a_module.md, step by step: its files written from the page's code blocks, its
commands run as written (with $MMFINE and the venv substituted) in a fresh folder."""
import os
import os.path as osp
import re
import shlex
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAGE = osp.join(REPO, 'docs', 'adding_a_module.md')


def _blocks(text):
    """(language, body) of every fenced code block, in order."""
    return re.findall(r'```(\w+)\n(.*?)```', text, flags=re.S)


def test_the_page_runs_as_written(tmp_path):
    text = open(PAGE).read()
    blocks = _blocks(text)
    venv = osp.dirname(osp.dirname(sys.executable))  # this suite's venv (README command 2)
    env = dict(PATH='/usr/local/bin:/usr/bin:/bin', HOME=os.environ.get('HOME', '/root'),
               MMFINE=REPO, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1')
    cwd = str(tmp_path)
    for lang, body in blocks:
        if lang == 'python':  # a file: its first line names it
            name = re.match(r'# (\S+)', body).group(1)
            path = osp.join(cwd, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(body.replace('{MMFINE}', REPO))
            continue
        assert lang == 'bash'
        script = body.replace('$MMFINE/.venv', venv)
        for cmd in re.split(r'\n(?=\S)', script.strip()):
            cmd = cmd.replace('\\\n', ' ')
            if cmd.startswith('cd '):
                cwd = osp.join(cwd, shlex.split(cmd)[1].split('&&')[0].strip())
                rest = cmd.split('&&', 1)
                cmd = rest[1].strip() if len(rest) > 1 else ''
                if not cmd:
                    continue
            if ' && cd ' in cmd:  # "mkdir -p x && cd x"
                first, folder = cmd.split(' && cd ')
                subprocess.run(first, shell=True, cwd=cwd, env=env, check=True)
                cwd = osp.join(cwd, folder.strip())
                continue
            proc = subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True,
                                  text=True, timeout=900)
            assert proc.returncode == 0, (cmd, proc.stdout[-2000:] + proc.stderr[-4000:])
            last = proc.stdout + proc.stderr
    assert osp.isfile(osp.join(cwd, 'my_lab', 'heads.py'))
    assert osp.isfile(osp.join(cwd, 'work_dirs', 'my_head', 'epoch_1.pth'))
    assert 'MyLabHead' in open(osp.join(cwd, 'my_config.py')).read()
    assert re.search(r'Epoch\(val\) \[1\].*acc/top1', last), last[-3000:]
