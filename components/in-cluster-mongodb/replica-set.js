// mongosh script run by the StatefulSet's startup probe in the mongod container, every few
// seconds until it exits 0, never again after that. It initiates the one-member replica set
// and creates the admin and the app's users once, then reports whether this member is a
// writable primary. Each step checks before it acts, so a restart, or a probe that timed out
// half-way, repeats nothing. It connects to 127.0.0.1 without credentials: until the first
// user exists, MongoDB's localhost exception allows exactly replSetInitiate and createUser.
const env = process.env;
const admin = db.getSiblingDB("admin");

function finish(ok, message) {
  print(message);
  quit(ok ? 0 : 1);
}

function required(name) {
  if (!env[name]) finish(false, `${name} is not set: the overlay must generate the Secrets guestbook-mongodb and guestbook-mongodb-keyfile`);
  return env[name];
}

const setName = required("MONGO_REPLICA_SET");
const memberHost = required("MEMBER_HOST");
const adminUser = required("MONGO_ADMIN_USERNAME");
const adminPassword = required("MONGO_ADMIN_PASSWORD");
const appUser = required("MONGO_APP_USERNAME");
const appPassword = required("MONGO_APP_PASSWORD");
const appDatabase = required("MONGO_APP_DATABASE");
if (!/^[^:\s]+:\d+$/.test(memberHost)) finish(false, `MEMBER_HOST "${memberHost}" is not host:port: hostname -f gave no name`);

const hello = db.hello();
if (!hello.setName) {
  try {
    rs.initiate({ _id: setName, members: [{ _id: 0, host: memberHost }] });
  } catch (error) {
    // Another probe got there first.
    if (error.codeName !== "AlreadyInitialized") throw error;
  }
  finish(false, `replica set ${setName} initiated with ${memberHost}; waiting for it to elect a primary`);
}
if (hello.setName !== setName) finish(false, `this mongod runs replica set "${hello.setName}", not "${setName}"`);
if (!hello.isWritablePrimary) finish(false, `replica set ${setName} has no writable primary yet`);

function signIn() {
  try {
    return admin.auth(adminUser, adminPassword).ok === 1;
  } catch {
    return false;
  }
}

if (!signIn()) {
  try {
    // Allowed only while no user exists (the localhost exception).
    admin.createUser({ user: adminUser, pwd: adminPassword, roles: ["root"] });
  } catch (error) {
    finish(
      false,
      `user "${adminUser}" exists with another password (${error.codeName}): the data volume predates these credentials; ` +
        "restore the env file they came from, or delete the PersistentVolumeClaim to start empty",
    );
  }
  if (!signIn()) finish(false, `cannot sign in as "${adminUser}" right after creating it`);
}
if (!admin.getUser(appUser)) {
  admin.createUser({ user: appUser, pwd: appPassword, roles: [{ role: "readWrite", db: appDatabase }] });
}
finish(true, `replica set ${setName} is primary on ${memberHost}; users "${adminUser}" and "${appUser}" exist`);
