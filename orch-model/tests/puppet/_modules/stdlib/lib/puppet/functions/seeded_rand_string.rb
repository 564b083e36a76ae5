# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/seeded_rand_string.rb (orch implements some natively).
