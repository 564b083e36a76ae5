# The capability a database produces and a web tier consumes.
Puppet::Type.newtype(:sql, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :user
  newparam :password
  newparam :host
  newparam :port
  newparam :database
end
