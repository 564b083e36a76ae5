# Rewritten to the shape of app_modeling's: a component for ordering only.
define app_modeling::dependency() { }
App_modeling::Dependency produces Dependency { }
App_modeling::Dependency consumes Dependency { }
