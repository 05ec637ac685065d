"""Script that ``streamlit run`` executes; ``tarifflab serve`` points Streamlit at this file."""

from tarifflab.app.main import main

main()
