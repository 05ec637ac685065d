from tarifflab.cli.main import run

run()
