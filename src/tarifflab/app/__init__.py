"""The tarifflab dashboard (Streamlit).

``services`` is the only module that talks to the back ends (engine, metrics, models, negotiation); it
has no Streamlit import, so the HTML report uses it too. ``cache`` wraps it in ``st.cache_data``;
``views`` holds one module per page; ``main`` builds the navigation. Start it with ``tarifflab serve``.
"""
