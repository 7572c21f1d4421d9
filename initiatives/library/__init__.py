"""The practice library: documents initiatives' leads offer other councils to reuse."""
