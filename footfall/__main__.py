from footfall.cli import main

raise SystemExit(main())
