from facefilters.cli import main

main()
