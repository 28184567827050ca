"""The Annuaire Santé: the national extraction imported offline, and the FHIR API online."""
