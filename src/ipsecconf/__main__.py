from ipsecconf.cli._main import run

run()
