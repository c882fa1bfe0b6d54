package org.ketcd.camel.osgi;

import java.io.File;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.camel.deploy.RouteFiles;

/** Felix FileInstall's hook for route files in a deploy folder: new or changed = deploy, deleted = undeploy. */
final class RouteFileInstaller implements ArtifactInstaller {
    private final CamelRuntime runtime;

    RouteFileInstaller(CamelRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean canHandle(File artifact) {
        return RouteFiles.isRouteFile(artifact.toPath());
    }

    @Override
    public void install(File artifact) throws Exception {
        runtime.deploy(artifact.toPath());
    }

    @Override
    public void update(File artifact) throws Exception {
        runtime.deploy(artifact.toPath());
    }

    @Override
    public void uninstall(File artifact) throws Exception {
        runtime.undeploy(artifact.toPath());
    }
}
