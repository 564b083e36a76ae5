# A billing worker: must run after the database is up, but reads nothing from it.
define billing::worker () {
  notify { "billing worker ${name}": }
}
