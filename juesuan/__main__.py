from juesuan.cli import entry

entry()
