// The cold-start baseline: a stand-in for Azure/k8s-deploy's action bundle (its lib/index.js is built
// by esbuild from src/run.ts into one ESM file, and is not committed on its main branch). It imports
// the npm packages that k8s-deploy's sources import, the way they import them (package.json
// dependencies: @actions/core, exec, io, tool-cache 4.0.0, @octokit/core with plugin-retry, js-yaml
// 5.2.2, minimist), and takes k8s-deploy's first steps: the KUBECONFIG warning, then its required
// `action` input, which fails without inputs. k8s-deploy's own modules are not here (about a fifth of
// its bundle), so this starts a little faster than the real one: a conservative baseline.
// Built and timed by bench/release-coldstart.ts; no fetched code.
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import * as io from '@actions/io';
import * as toolCache from '@actions/tool-cache';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import * as yaml from 'js-yaml';
import minimist from 'minimist';

// k8s-deploy's modules build the retrying client class and reference these at load; keeping them
// referenced stops the bundler from dropping the packages k8s-deploy's bundle carries.
const RetryingOctokit = Octokit.plugin(retry);
const used = [exec.getExecOutput, io.which, toolCache.downloadTool, yaml.load, minimist, RetryingOctokit];

async function run(): Promise<void> {
  if (!process.env.KUBECONFIG) core.warning('KUBECONFIG env is not explicitly set. Ensure cluster context is set by using k8s-set-context action.');
  const action = core.getInput('action', { required: true });
  core.info(`${action} with ${used.length} helpers`);
}

run().catch(core.setFailed);
