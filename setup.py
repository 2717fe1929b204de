"""Install script; metadata lives in setup.cfg."""
import os.path as osp

from setuptools import setup


def get_version() -> str:
    namespace: dict = {}
    with open(osp.join('mmpose_mlehand', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


if __name__ == '__main__':
    setup(version=get_version())
