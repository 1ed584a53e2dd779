from rightsdesk.cli import main

main()
