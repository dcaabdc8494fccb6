// Command handlers, one per pg_chameleon command; each returns the exit status.
// Grouped in files by what they touch: catalogue_commands.cpp, source_commands.cpp,
// show_commands.cpp, setup_commands.cpp.
#pragma once

#include "commands/context.h"

namespace chameleon::commands {

int CreateReplicaSchema(Context& context);
int DropReplicaSchema(Context& context);
int UpgradeReplicaSchema(Context& context);

int AddSource(Context& context);
int DropSource(Context& context);
int EnableReplica(Context& context);

int ShowStatus(Context& context);
int ShowErrors(Context& context);
int ShowSources(Context& context);
int ShowConfig(Context& context);

int SetConfigurationFiles(Context& context);

int Spool(Context& context);  // spool inspect

// init_commands.cpp
int InitReplica(Context& context);
int RefreshSchema(Context& context);
int SyncTables(Context& context);
int CopySchema(Context& context);

// replica_commands.cpp
int StartReplica(Context& context);
int StopReplica(Context& context);
int StopAllReplicas(Context& context);

// maintenance_commands.cpp
int RunMaintenance(Context& context);

// detach_commands.cpp
int DetachReplica(Context& context);

// mapping_commands.cpp
int UpdateSchemaMappings(Context& context);

}  // namespace chameleon::commands
