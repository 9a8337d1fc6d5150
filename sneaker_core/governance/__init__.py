"""Guard rails of the weekly model: champion/challenger promotion, snapshot contracts, week-over-week drift."""
