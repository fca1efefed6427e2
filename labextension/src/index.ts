// Step back and reverse continue in JupyterLab's debugger sidebar (the Callstack panel's
// toolbar, beside continue / step over / step in / step out). The buttons send the Debug
// Adapter Protocol's `stepBack` and `reverseContinue` requests through JupyterLab's own
// debugger service; the kernel answers with the usual `stopped` event, so the panel shows
// the new place as after any other step. They are on only for kernels whose `debugInfo`
// says `timeTravel: true` (the wasmlab kernel), and only while a thread is stopped.

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Debugger, IDebugger, IDebuggerSidebar } from '@jupyterlab/debugger';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandToolbarButton, LabIcon } from '@jupyterlab/ui-components';

const STEP_BACK = 'wasmlab-debugger:step-back';
const REVERSE_CONTINUE = 'wasmlab-debugger:reverse-continue';

const stepBackIcon = new LabIcon({
  name: 'wasmlab:step-back',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path d="M12.5 8c-2.65 0-5.05.99-6.9 2.6L2 7v9h9l-3.62-3.62c1.39-1.16 3.16-1.88 5.12-1.88 3.54 0 6.55 2.31 7.6 5.5l2.37-.78C21.08 11.03 17.15 8 12.5 8z"/>' +
    '</g></svg>'
});

const reverseContinueIcon = new LabIcon({
  name: 'wasmlab:reverse-continue',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path d="M18 5v14L7 12z"/><path d="M4 5h2v14H4z"/>' +
    '</g></svg>'
});

/** Whether the current debug session's kernel goes backwards (asked once per session). */
class TimeTravel {
  constructor(private service: IDebugger) {}

  async supported(): Promise<boolean> {
    const session = this.service.session;
    if (!session || !session.isStarted) {
      return false;
    }
    if (this._asked !== session) {
      this._asked = session;
      this._supported = false;
      try {
        const reply = await session.sendRequest('debugInfo', {});
        this._supported = (reply.body as any)?.timeTravel === true;
      } catch {
        this._supported = false;
      }
    }
    return this._supported;
  }

  get known(): boolean {
    return this._asked === this.service.session && this._supported;
  }

  private _asked: IDebugger.ISession | null = null;
  private _supported = false;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@wasmlab/time-travel:plugin',
  description: 'Step back and reverse continue buttons in the debugger sidebar.',
  autoStart: true,
  requires: [IDebugger, IDebuggerSidebar],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    service: IDebugger,
    sidebar: IDebugger.ISidebar,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab');
    const travel = new TimeTravel(service);
    const { commands } = app;

    const enabled = (): boolean =>
      service.isStarted && service.hasStoppedThreads() && travel.known;

    const send = async (command: 'stepBack' | 'reverseContinue') => {
      const session = service.session;
      if (!session || !(await travel.supported())) {
        return;
      }
      const threadId =
        service.model.stoppedThreads.values().next().value ?? 1;
      const reply = await session.sendRequest(command, { threadId });
      if (!reply.success) {
        console.warn(`${command}: ${reply.message}`);
      }
    };

    commands.addCommand(STEP_BACK, {
      label: trans.__('Step Back'),
      caption: trans.__('Step back (one instruction, or one C line)'),
      icon: stepBackIcon,
      isEnabled: enabled,
      execute: () => send('stepBack')
    });
    commands.addCommand(REVERSE_CONTINUE, {
      label: trans.__('Reverse Continue'),
      caption: trans.__('Run backwards to the previous breakpoint stop'),
      icon: reverseContinueIcon,
      isEnabled: enabled,
      execute: () => send('reverseContinue')
    });

    const refresh = () => {
      void travel.supported().then(() => {
        commands.notifyCommandChanged(STEP_BACK);
        commands.notifyCommandChanged(REVERSE_CONTINUE);
      });
    };
    service.sessionChanged.connect(refresh);
    service.eventMessage.connect(refresh);
    service.model.callstack.framesChanged.connect(refresh);

    const callstack = (sidebar as Debugger.Sidebar).callstack;
    const toolbar = callstack?.toolbar;
    if (!toolbar) {
      console.warn('@wasmlab/time-travel: no debugger callstack toolbar');
      return;
    }
    const back = new CommandToolbarButton({
      commands,
      id: STEP_BACK,
      label: ''
    });
    back.addClass('wasmlab-TimeTravel-button');
    const reverse = new CommandToolbarButton({
      commands,
      id: REVERSE_CONTINUE,
      label: ''
    });
    reverse.addClass('wasmlab-TimeTravel-button');
    if (!toolbar.insertAfter('step-out', 'wasmlab-step-back', back)) {
      toolbar.addItem('wasmlab-step-back', back);
    }
    toolbar.insertAfter('wasmlab-step-back', 'wasmlab-reverse-continue', reverse);
  }
};

export default plugin;
